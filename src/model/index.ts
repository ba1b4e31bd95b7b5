export * from './group.js';
export * from './membership.js';
export * from './person.js';
export * from './roster.js';
export * from './change.js';
export * from './person-key.js';
export * from './school-reference.js';
export * from './batches.js';
