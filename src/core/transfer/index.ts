export { syncWorkspace, uploadDirs, syncFiles, dataDirDestination, type SyncResult } from './sync';
export { pullDir, type PullResult } from './pull';
export { isSafeRelativePath, remotePathExpr, joinRemote } from './paths';
