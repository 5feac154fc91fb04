import bcrypt from 'bcryptjs';

/** Go stores `$2a$10$…` bcrypt hashes (Part A §10.2); cost 10 keeps existing databases compatible. */
const BCRYPT_COST = 10;

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_COST);
}

/** False for users without a password (anonymous signups). */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash) return false;
  return bcrypt.compare(password, hash);
}
