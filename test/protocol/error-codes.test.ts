import { ErrorCodes } from '../../src/protocol/error-codes';
import { ErrorCodes as ServerErrorCodes } from '../../src/server/core/errors';
import { invalidArgument, notAuthenticated, notFound, notSupported, permissionDenied, toHostError } from '../../src/plugin/errors';

describe('the shared Skygear error code table', () => {
  it('has unique names and codes', () => {
    const codes = Object.values(ErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('is the table the server uses', () => {
    expect(ServerErrorCodes).toBe(ErrorCodes);
  });

  it('gives the plugin’s errors their codes', () => {
    expect(notAuthenticated().code).toBe(ErrorCodes.NotAuthenticated);
    expect(permissionDenied('x').code).toBe(ErrorCodes.PermissionDenied);
    expect(invalidArgument('x', ['a']).code).toBe(ErrorCodes.InvalidArgument);
    expect(notFound('x').code).toBe(ErrorCodes.ResourceNotFound);
    expect(notSupported('x').code).toBe(ErrorCodes.NotSupported);
  });
});

/** A host's HostError class, as skygear-node's and skygear-core's are shaped. */
class HostError extends Error {
  constructor(
    message: string,
    readonly code = 10000,
    readonly info: Record<string, unknown> | null = null,
  ) {
    super(message);
  }
}

describe('toHostError (plugin errors leave the plugin as the host’s class)', () => {
  it('rebuilds a plugin error with the host class, keeping message, code and info', () => {
    const err = toHostError(invalidArgument('bad', ['a']), HostError);
    expect(err).toBeInstanceOf(HostError);
    expect(err).toMatchObject({ message: 'bad', code: ErrorCodes.InvalidArgument, info: { arguments: ['a'] } });
  });

  it('passes other errors, and everything when the host has no class, unchanged', () => {
    const other = new TypeError('x');
    expect(toHostError(other, HostError)).toBe(other);
    const own = notFound('x');
    expect(toHostError(own, undefined)).toBe(own);
  });
});
