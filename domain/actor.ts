/** Who acts: a user of an institution, in one role. Every use case receives one. */
export type Role = 'operator' | 'bank' | 'verifier';

export type Actor = {
  userId: string;
  userName: string;
  role: Role;
  institutionId: string;
  institutionCode: string;
};
