import { main } from '@memo/common/service';
import { SERVICE, buildWebService } from './app.js';

await main(SERVICE, () => Promise.resolve(buildWebService()));
