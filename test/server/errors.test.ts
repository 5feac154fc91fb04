import { ErrorCodes, SkygearError, errorNameOf, httpStatusOf } from '../../src/server/core/errors';

describe('Skygear error table', () => {
  it('has unique names and codes', () => {
    const codes = Object.values(ErrorCodes);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [name, code] of Object.entries(ErrorCodes)) expect(errorNameOf(code)).toBe(name);
  });

  it('renders the wire envelope with the name looked up from the code', () => {
    const err = new SkygearError('empty password', ErrorCodes.InvalidArgument, { arguments: ['password'] });
    expect(JSON.parse(JSON.stringify(err))).toEqual({
      name: 'InvalidArgument',
      code: 108,
      message: 'empty password',
      info: { arguments: ['password'] },
    });
    expect(err.httpStatus).toBe(400);
  });

  it.each([
    [101, 401], [102, 403], [103, 401], [104, 401], [107, 400], [108, 400], [109, 409], [110, 404],
    [111, 501], [115, 409], [117, 404], [118, 503], [119, 504], [121, 503], [122, 503], [10000, 500],
  ])('maps code %i to HTTP %i', (code, status) => {
    expect(httpStatusOf(code)).toBe(status);
  });

  it('wraps foreign errors: coded ones keep their code, others become 10000', () => {
    expect(SkygearError.from({ code: 102, message: 'nope' }).code).toBe(102);
    const wrapped = SkygearError.from(new TypeError('bad'));
    expect(wrapped.code).toBe(10000);
    expect(wrapped.message).toBe('bad');
    expect(new SkygearError('x', 0).name).toBe('ErrorCode(0)');
  });
});

describe('database connection failures', () => {
  it.each([
    ['pg_terminate_backend', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a dropped socket', new Error('Connection terminated unexpectedly')],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
  ])('map %s to 10002 (HTTP 503: retry)', (_what, err) => {
    const mapped = SkygearError.from(err);
    expect(mapped.code).toBe(ErrorCodes.UnexpectedUnableToOpenDatabase);
    expect(mapped.httpStatus).toBe(503);
  });

  it('leaves statement errors alone', () => {
    expect(SkygearError.from(Object.assign(new Error('syntax error'), { code: '42601' })).code).toBe(10000);
  });
});
