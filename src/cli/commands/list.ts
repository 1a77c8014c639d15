import { listingCommand } from './jobsListing';

export const listCommand = listingCommand('list', 'All jobs in the log root, newest first.', (e) => e.list(), 'No jobs');
