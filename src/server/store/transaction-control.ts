/** Statements that begin or end a transaction, which code running inside the host's own must not send. */
export const BEGIN = /^\s*(BEGIN|START\s+TRANSACTION)\b[^;]*;?\s*$/i;
export const COMMIT = /^\s*(COMMIT|END)(\s+(WORK|TRANSACTION))?\s*;?\s*$/i;
export const ROLLBACK = /^\s*(ROLLBACK|ABORT)(\s+(WORK|TRANSACTION))?\s*;?\s*$/i;

export const isTransactionControl = (text: string): boolean => BEGIN.test(text) || COMMIT.test(text) || ROLLBACK.test(text);
