// A real OpenID Connect provider for Grimoire's tests (panva/oidc-provider).
// Static users in groups, a login form that checks passwords, PKCE, client_credentials,
// JWT access tokens for the audience "grimoire" carrying a "groups" claim.
// Keys come from JWKS_FILE so a test can rotate them by restarting with a new set; users come
// from USERS_FILE, read at every sign-in and token, so a test can change a user's groups.
import http from 'node:http';
import fs from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = process.env.ISSUER ?? `http://127.0.0.1:${port}`;
const redirectUri = process.env.REDIRECT_URI;
const jwks = JSON.parse(fs.readFileSync(process.env.JWKS_FILE, 'utf8'));
const readUsers = () => JSON.parse(fs.readFileSync(process.env.USERS_FILE, 'utf8'));
// ci-solo's groups claim is one string, as some providers send a single group.
const clientGroups = { 'ci-pipeline': ['ci-pipelines'], 'ci-solo': 'solo-pipelines' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'grimoire',
      client_secret: 'grimoire-secret',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'ci-pipeline',
      client_secret: 'ci-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
    {
      client_id: 'ci-solo',
      client_secret: 'solo-secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
  ],
  jwks,
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email'] },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => 'urn:grimoire',
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: 'openid profile email',
        audience: 'grimoire',
        accessTokenFormat: 'jwt',
        accessTokenTTL: Number(process.env.ACCESS_TOKEN_TTL ?? 3600),
      }),
    },
  },
  findAccount: async (ctx, id) => {
    const user = readUsers()[id];
    return user && {
      accountId: id,
      claims: async () => ({ sub: id, name: user.name, email: user.email, groups: user.groups }),
    };
  },
  extraTokenClaims: async (ctx, token) => ({
    groups: token.accountId ? readUsers()[token.accountId]?.groups ?? [] : clientGroups[token.clientId] ?? [],
  }),
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: ['test-cookie-key'] },
});
provider.proxy = true;

function page(res, uid, error) {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Sign in</title><h1>Test identity provider</h1>
    ${error ? `<p id="error">${error}</p>` : ''}
    <form method="post" action="/interaction/${uid}/login">
      <label>Username <input name="login" autofocus></label>
      <label>Password <input name="password" type="password"></label>
      <button type="submit">Sign in</button></form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return Object.fromEntries(new URLSearchParams(body));
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.prompt.name === 'login') {
    if (req.method === 'GET') return page(res, uid);
    const { login, password } = await readForm(req);
    const users = readUsers();
    if (!users[login] || users[login].password !== password) return page(res, uid, 'Invalid username or password');
    return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
  }
  // consent: grant what the client asked for (a test provider has no consent screen)
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
  const missing = details.prompt.details;
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

const callback = provider.callback();
http
  .createServer(async (req, res) => {
    const match = new URL(req.url, issuer).pathname.match(/^\/interaction\/([^/]+)(\/login)?$/);
    if (!match) return callback(req, res);
    try {
      await interaction(req, res, match[1], match[2]);
    } catch (error) {
      res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(String(error));
    }
  })
  .listen(port, '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
