/** Who acts: a user of an institution, in one role. Every use case receives one. */
export type Role = 'operator' | 'bank' | 'verifier';

export type Actor = {
  userId: string;
  userName: string;
  role: Role;
  institutionId: string;
  institutionCode: string;
  /** an admin of a bank or verifier manages its own institution's users and keys */
  isAdmin?: boolean;
  /** the API key the request came with (absent for a page session or a job) */
  keyId?: string;
  /** a read-only key: every write is refused */
  readOnly?: boolean;
};
