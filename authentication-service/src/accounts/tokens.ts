import { errors, jwtVerify, SignJWT } from 'jose';

/** Who a token was issued to. */
export interface TokenClaims {
  userId: number;
  email: string;
  admin: boolean;
}

const ISSUER = 'authentication-service';
const AUDIENCE = 'go-micro';
const ALGORITHM = 'HS256';

/**
 * Short-lived signed tokens (JWT, HS256, with jose) for callers of the users
 * API: issued on a right email and password, checked on every call. The secret
 * comes from TOKEN_SECRET; only this service signs and checks, so a shared
 * secret is all it needs.
 */
export class Tokens {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(claims: TokenClaims): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ email: claims.email, admin: claims.admin })
      .setProtectedHeader({ alg: ALGORITHM })
      .setSubject(String(claims.userId))
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(this.key);
    return { token, expiresAt: new Date((issuedAt + this.ttlSeconds) * 1000) };
  }

  /** The claims of a valid, unexpired token of ours, with exp, iat and sub; undefined for anything else. */
  async verify(token: string): Promise<TokenClaims | undefined> {
    try {
      // exp, iat and sub must be there: a token without exp would never expire, so one forged or leaked once
      // would work forever; maxTokenAge bounds even a far exp by when the token says it was issued.
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['exp', 'iat', 'sub'],
        maxTokenAge: this.ttlSeconds,
      });
      const userId = Number(payload.sub);
      if (!Number.isInteger(userId) || typeof payload.email !== 'string') return undefined;
      return { userId, email: payload.email, admin: payload.admin === true };
    } catch (err) {
      if (err instanceof errors.JOSEError) return undefined;
      throw err;
    }
  }
}
