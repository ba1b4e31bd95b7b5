// Jest loads globalSetup through CommonJS require, where moduleNameMapper does not apply, so the
// `.js` specifiers our ESM TypeScript uses would not find their `.ts` files. Fall back to `.ts` there.
const Module = require('node:module');
const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function resolveTsFallback(request, parent, ...rest) {
  try {
    return resolveFilename.call(this, request, parent, ...rest);
  } catch (error) {
    if (request.startsWith('.') && request.endsWith('.js')) {
      return resolveFilename.call(this, `${request.slice(0, -3)}.ts`, parent, ...rest);
    }
    throw error;
  }
};
