export { ApiError, type ErrorBody } from './api-error.js';
export { type BuildServerOptions, buildServer } from './build-server.js';
export { loadMockServerConfig, MOCK_SERVER_SETTINGS, type MockServerConfig } from './mock-settings.js';
