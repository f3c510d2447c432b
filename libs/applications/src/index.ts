export * from './applications.module';
export * from './application/applications.service';
export * from './api/dto/application.dto';
export type { Application, ApplicationInput, ApplicationScope, ApplicationType } from './domain/application';
export { redirectUriProblem } from './domain/redirect-uri';
export { applicationsPersistence } from './infrastructure/applications.persistence';
export * from './domain/applications.errors';
