import 'reflect-metadata';
import { runService } from '@emporia/platform';
import { gatewayService } from './gateway.app';

runService(gatewayService());
