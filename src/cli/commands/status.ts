import { listingCommand } from './jobsListing';

export const statusCommand = listingCommand('status', 'Jobs that are QUEUED, STARTING or RUNNING.', (e) => e.status(), 'No active jobs');
