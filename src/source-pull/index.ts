export {
  claimSourcePull,
  finishSourcePull,
  lastImportedSourcePull,
  pruneSourcePulls,
  releaseSourcePull,
  remoteKey,
} from './source-pull-repository.js';
