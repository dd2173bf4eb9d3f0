export { createScratchDatabase, type ScratchDatabase } from '../../testing/databases.js';
