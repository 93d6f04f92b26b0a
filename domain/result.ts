/** Outcome of a business rule: a value, or a status named as a fact. Throw only for bugs. */
export type Ok<T> = { ok: true; value: T };
export type Fail<S extends string = string> = { ok: false; status: S; path?: string; message?: string };
export type Result<T, S extends string = string> = Ok<T> | Fail<S>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });
export const fail = <S extends string>(status: S, path?: string, message?: string): Fail<S> => ({
  ok: false,
  status,
  path,
  message,
});

/** A rule violation ready for the API's `errors: [{ path, code, message }]`. */
export type Violation = { path: string; code: string; message: string };
