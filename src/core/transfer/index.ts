export { syncWorkspace, prepareWorkspace, uploadDirs, syncFiles, dataDirDestination, type SyncResult, type PreparedWorkspace } from './sync';
export { pullDir, type PullResult } from './pull';
export { isSafeRelativePath, remotePathExpr, joinRemote } from './paths';
