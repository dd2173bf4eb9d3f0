import { runMain } from '@platform/service-kit';
import { userService } from './service.js';

await runMain(userService);
