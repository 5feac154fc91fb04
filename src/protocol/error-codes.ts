/**
 * The Skygear error codes: skygear-server v1.7.3's (its `skyerr` package), spelled out rather than
 * counted. Both the host (its SkygearError and HTTP statuses) and the chat plugin (the errors it
 * throws) read them from here, so there is one table to keep right.
 */
export const ErrorCodes = {
  NotAuthenticated: 101,
  PermissionDenied: 102,
  AccessKeyNotAccepted: 103,
  AccessTokenNotAccepted: 104,
  InvalidCredentials: 105,
  InvalidSignature: 106,
  BadRequest: 107,
  InvalidArgument: 108,
  Duplicated: 109,
  ResourceNotFound: 110,
  NotSupported: 111,
  NotImplemented: 112,
  ConstraintViolated: 113,
  IncompatibleSchema: 114,
  AtomicOperationFailure: 115,
  PartialOperationFailure: 116,
  UndefinedOperation: 117,
  PluginUnavailable: 118,
  PluginTimeout: 119,
  RecordQueryInvalid: 120,
  PluginInitializing: 121,
  ResponseTimeout: 122,
  DeniedArgument: 123,
  RecordQueryDenied: 124,
  NotConfigured: 125,
  PasswordPolicyViolated: 126,
  UserDisabled: 127,
  VerificationRequired: 128,
  AssetSizeTooLarge: 129,
  UnexpectedError: 10000,
  UnexpectedAuthInfoNotFound: 10001,
  UnexpectedUnableToOpenDatabase: 10002,
  UnexpectedPushNotificationNotConfigured: 10003,
  InternalQueryInvalid: 10004,
  UnexpectedUserNotFound: 10005,
} as const;

export type ErrorName = keyof typeof ErrorCodes;
export type ErrorCode = (typeof ErrorCodes)[ErrorName];
