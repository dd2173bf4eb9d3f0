import { runMain } from '@platform/service-kit';
import { orderService } from './service.js';

await runMain(orderService);
