import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildConfiguration, buildDataSourceOptions } from '@careid/shared';
import { PERSISTENCE } from './persistence';

/** The data source for the TypeORM CLI (`npm run migration:*`); the app builds the same options in DatabaseModule. */
const { database } = buildConfiguration(process.env);
export default new DataSource(buildDataSourceOptions(database, PERSISTENCE));
