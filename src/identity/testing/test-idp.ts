// Test helper: a real OpenID Provider (the certified `oidc-provider` package) on 127.0.0.1 in the test process,
// with accounts, groups in its JWT access tokens, a user who "approves" interactions programmatically, key
// rotation, and helpers that run the authorization-code (PKCE) and device flows over real HTTP.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import Provider, { type Configuration, type JWK } from 'oidc-provider';

export interface TestAccount {
  email?: string;
  email_verified?: boolean;
  preferred_username?: string;
  groups?: string[];
}

export const CLI_CLIENT = 'gatehouse-cli';
export const REDIRECT_URI = 'http://127.0.0.1:1/callback';
export const WEB_CLIENT = 'gatehouse-web';

function rsaKey(): JWK {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' }) as JWK;
  return { ...jwk, kid: 'k-' + randomBytes(6).toString('hex'), alg: 'RS256', use: 'sig' };
}

export class TestIdp {
  issuer = '';
  /** Who approves the next interaction (login, consent, device code); tests set it. */
  approveAs = '';
  private provider!: Provider;
  private keys: JWK[] = [rsaKey()];
  private readonly webRedirectUris: string[] = [];
  private readonly server: Server;

  private constructor(
    readonly accounts: Record<string, TestAccount>,
    readonly audience: string,
  ) {
    this.server = createServer((req, res) => void this.handle(req, res));
  }

  static async start(accounts: Record<string, TestAccount>, audience = 'https://gatehouse.test'): Promise<TestIdp> {
    const idp = new TestIdp(accounts, audience);
    await new Promise<void>((r) => idp.server.listen(0, '127.0.0.1', r));
    idp.issuer = `http://127.0.0.1:${(idp.server.address() as AddressInfo).port}`;
    idp.provider = idp.build();
    return idp;
  }

  /** A new signing key goes first (signs from now on); the old one stays published, as IdPs roll keys. */
  rotateKeys(): void {
    this.keys = [rsaKey(), ...this.keys];
    this.provider = this.build();
  }

  /** Registers the browser client `gatehouse-web` with this callback (known once Gatehouse listens). */
  registerWebClient(redirectUri: string): void {
    this.webRedirectUris.push(redirectUri);
    this.provider = this.build();
  }

  /** The kid tokens are signed with now. */
  get currentKid(): string {
    return String(this.keys[0].kid);
  }

  private build(): Provider {
    const accounts = this.accounts;
    const audience = this.audience;
    const config: Configuration = {
      clients: [
        {
          client_id: CLI_CLIENT,
          token_endpoint_auth_method: 'none',
          grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
          response_types: ['code'],
          redirect_uris: [REDIRECT_URI],
        },
        ...(this.webRedirectUris.length
          ? [
              {
                client_id: WEB_CLIENT,
                token_endpoint_auth_method: 'none' as const,
                grant_types: ['authorization_code'],
                response_types: ['code' as const],
                redirect_uris: this.webRedirectUris,
              },
            ]
          : []),
      ],
      jwks: { keys: this.keys },
      cookies: { keys: ['test-idp-cookie-key'] },
      findAccount: (_ctx, id) =>
        accounts[id] ? { accountId: id, claims: () => ({ sub: id, ...accounts[id] }) } : undefined,
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'groups'] },
      scopes: ['openid', 'offline_access', 'email', 'profile', 'api'],
      // Groups and names ride in the access token, as Okta, Entra ID and Keycloak can be set up to do.
      extraTokenClaims: (_ctx, token) => {
        const id = 'accountId' in token ? token.accountId : undefined;
        const a = id ? accounts[id] : undefined;
        return a ? { ...a } : undefined;
      },
      features: {
        devInteractions: { enabled: false },
        deviceFlow: { enabled: true },
        revocation: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => audience,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, indicator) => ({
            scope: 'api',
            audience: indicator,
            accessTokenFormat: 'jwt',
            accessTokenTTL: 600,
          }),
        },
      },
      issueRefreshToken: () => true,
      ttl: {
        Interaction: 600,
        Session: 3600,
        Grant: 3600,
        AccessToken: 600,
        RefreshToken: 86_400,
        IdToken: 600,
        DeviceCode: 600,
      },
      interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    };
    return new Provider(this.issuer, config);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      if (req.url?.startsWith('/interaction/')) return await this.interact(req, res);
      this.provider.callback()(req, res);
    } catch (err) {
      res.statusCode = 500;
      res.end(String(err));
    }
  }

  /** The user at the IdP: signs in as `approveAs` (or the login_hint) and consents to what was asked. */
  private async interact(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const p = this.provider;
    const details = await p.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      const accountId = hint ?? this.approveAs;
      await p.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
      return;
    }
    const grant = details.grantId
      ? ((await p.Grant.find(details.grantId)) ??
        new p.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) }))
      : new p.Grant({ accountId: details.session!.accountId, clientId: String(details.params.client_id) });
    const missing = details.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {}))
      grant.addResourceScope(indicator, scopes.join(' '));
    const grantId = await grant.save();
    await p.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  /** Runs the authorization-code flow with PKCE as `account` (no browser: redirects followed with a cookie jar). */
  async accessTokenFor(account: string, resource = this.audience): Promise<string> {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const q = new URLSearchParams({
      client_id: CLI_CLIENT,
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid email profile api',
      resource,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      login_hint: account,
      prompt: 'login consent',
    });
    const final = await new Browser().follow(`${this.issuer}/auth?${q}`, (u) => u.startsWith(REDIRECT_URI));
    const code = new URL(final).searchParams.get('code');
    if (!code) throw new Error(`no code in ${final}`);
    const res = await fetch(`${this.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        client_id: CLI_CLIENT,
        code_verifier: verifier,
        resource,
      }),
    });
    const body = (await res.json()) as { access_token?: string; error_description?: string };
    if (!body.access_token) throw new Error(`token: ${JSON.stringify(body)}`);
    return body.access_token;
  }

  /** The person at the verification page: enters the user code, confirms, and signs in as `approveAs`. */
  async approveDevice(verificationUri: string, userCode: string): Promise<void> {
    const b = new Browser();
    let page = await b.get(verificationUri);
    page = await b.submitForm(verificationUri, page, { user_code: userCode });
    // The confirmation page ("is this your device?"), then the interaction, then the success page.
    page = await b.submitForm(verificationUri, page, {});
    if (!/success/i.test(page)) throw new Error(`device approval did not succeed: ${page.slice(0, 300)}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

/** Just enough of a browser for OAuth: cookies, redirects, and HTML forms with hidden fields. */
class Browser {
  private readonly cookies = new Map<string, string>();

  private async request(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair.indexOf('=');
      this.cookies.set(pair.slice(0, i), pair.slice(i + 1));
    }
    return res;
  }

  /** Follows redirects until `stop(url)` holds; returns that URL. */
  async follow(url: string, stop: (u: string) => boolean): Promise<string> {
    for (let i = 0; i < 20; i++) {
      if (stop(url)) return url;
      const res = await this.request(url);
      const loc = res.headers.get('location');
      if (!loc) throw new Error(`${res.status} at ${url} without redirect: ${(await res.text()).slice(0, 300)}`);
      url = new URL(loc, url).toString();
    }
    throw new Error('too many redirects');
  }

  async get(url: string): Promise<string> {
    return this.settle(await this.request(url), url);
  }

  /** Posts the page's first form (its hidden fields plus `fields`) and follows redirects to the next page. */
  async submitForm(base: string, html: string, fields: Record<string, string>): Promise<string> {
    const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
    if (!form) throw new Error(`no form in page: ${html.slice(0, 300)}`);
    const data = new URLSearchParams();
    for (const m of form[2].matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) data.set(m[1], m[2]);
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    const url = new URL(form[1], base).toString();
    const res = await this.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: data,
    });
    return this.settle(res, url);
  }

  private async settle(res: Response, url: string): Promise<string> {
    for (let i = 0; i < 20 && res.headers.get('location'); i++) {
      url = new URL(res.headers.get('location')!, url).toString();
      res = await this.request(url);
    }
    return res.text();
  }
}
