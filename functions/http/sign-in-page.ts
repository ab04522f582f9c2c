/**
 * The sign-in page of the driver's OAuth 2.0 server, for a UserCenter upstream. Homebase opens it in
 * the Rokid app's web view, so it is made for a phone first; it speaks zh-CN or English as the
 * browser's Accept-Language prefers. It loads nothing: its one stylesheet is inline, allowed by hash.
 */
import type { SignInForm } from '../domain/oauth2-server/authorization-endpoint.ts';
import { crypto } from '../runtime/builtins.ts';
import { escapeHtml } from './browser-handler.ts';

export type Language = 'zh-CN' | 'en';

const TEXT = {
  'zh-CN': {
    title: '登录以关联账号',
    lead: '若琪（Rokid）请求访问你的智能家居设备。登录后，你可以在若琪 App 中查看和控制它们。',
    username: '用户名或手机号',
    password: '密码',
    signIn: '登录并授权',
    cancel: '取消',
    missing: '请输入用户名和密码。',
    wrong: '用户名或密码错误，请重试。',
    rateLimited: (seconds: number) =>
      seconds < 60 ? `尝试次数过多。请在 ${seconds} 秒后重试。` : `尝试次数过多。请在 ${Math.ceil(seconds / 60)} 分钟后重试。`,
    privacy: '你的密码只会发送给账号服务，不会保存在若琪。',
  },
  en: {
    title: 'Sign in to link your account',
    lead: 'Rokid asks to use your smart-home devices. Once you sign in, you can see and control them in the Rokid app.',
    username: 'Username or phone number',
    password: 'Password',
    signIn: 'Sign in and allow',
    cancel: 'Cancel',
    missing: 'Enter your username and password.',
    wrong: 'The username or password is wrong. Try again.',
    rateLimited: (seconds: number) => {
      const [n, unit] = seconds < 60 ? [seconds, 'second'] : [Math.ceil(seconds / 60), 'minute'];
      return `Too many failed attempts. Try again in ${n} ${unit}${n === 1 ? '' : 's'}.`;
    },
    privacy: 'Your password goes to the account service only; Rokid never keeps it.',
  },
} as const;

const STYLE = `*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;min-height:100vh;display:flex;align-items:flex-start;justify-content:center;padding:32px 16px;
font:16px/1.5 -apple-system,BlinkMacSystemFont,"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Segoe UI",Roboto,sans-serif;
color:#1c2430;background:linear-gradient(160deg,#eef3fb 0%,#f7f8fa 60%)}
main{width:100%;max-width:400px;background:#fff;border-radius:16px;padding:28px 24px;box-shadow:0 8px 30px rgba(28,36,48,.08)}
.mark{width:44px;height:44px;border-radius:12px;background:#2f6fed;color:#fff;display:flex;align-items:center;justify-content:center;font-weight:700;font-size:20px;margin-bottom:16px}
h1{font-size:22px;line-height:1.3;margin:0 0 8px}
p{margin:0 0 20px;color:#5a6472;font-size:15px}
label{display:block;font-size:14px;font-weight:600;margin:0 0 6px}
input{display:block;width:100%;font:inherit;padding:12px 14px;border:1px solid #cfd6e0;border-radius:10px;margin:0 0 16px;background:#fbfcfd}
input:focus{outline:none;border-color:#2f6fed;box-shadow:0 0 0 3px rgba(47,111,237,.18);background:#fff}
.problem{background:#fff1f0;border:1px solid #ffccc7;color:#a8071a;border-radius:10px;padding:10px 12px;margin:0 0 16px;font-size:14px}
button{display:block;width:100%;font:inherit;font-weight:600;padding:13px;border-radius:10px;border:0;cursor:pointer}
.primary{background:#2f6fed;color:#fff;margin-bottom:10px}
.primary:active{background:#2459c4}
.secondary{background:transparent;color:#5a6472}
small{display:block;margin-top:18px;color:#8a93a0;font-size:12px;text-align:center}
@media (prefers-color-scheme:dark){body{background:#10141a;color:#e6e9ee}main{background:#1a2029;box-shadow:none}
p,.secondary{color:#a3acb9}input{background:#121820;border-color:#2c3542;color:#e6e9ee}}`;

/** The Content-Security-Policy's hash of the inline stylesheet. */
export const STYLE_HASH = `'sha256-${crypto.createHash('sha256').update(STYLE).digest('base64')}'`;

/** The language the browser prefers most among the two the page speaks; English when it names neither. */
export function languageOf(acceptLanguage: string | undefined): Language {
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().toLowerCase().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && (entry.tag.startsWith('zh') || entry.tag.startsWith('en')))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked[0]?.tag.startsWith('zh') ? 'zh-CN' : 'en';
}

export function signInPage(form: SignInForm, language: Language, now: number): string {
  const t = TEXT[language];
  const problem = form.problem;
  const message =
    problem?.kind === 'missing'
      ? t.missing
      : problem?.kind === 'wrong'
        ? t.wrong
        : problem?.kind === 'rate_limited'
          ? t.rateLimited(Math.max(1, problem.retryAt - now))
          : undefined;
  return `<!doctype html>
<html lang="${language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(t.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<div class="mark" aria-hidden="true">R</div>
<h1>${escapeHtml(t.title)}</h1>
<p>${escapeHtml(t.lead)}</p>
${message ? `<div class="problem" role="alert">${escapeHtml(message)}</div>` : ''}
<form method="post" action="authorize" autocomplete="on">
<input type="hidden" name="request" value="${escapeHtml(form.request)}">
<input type="hidden" name="csrf" value="${escapeHtml(form.csrf)}">
<label for="username">${escapeHtml(t.username)}</label>
<input id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="256" value="${escapeHtml(form.username ?? '')}"${form.username ? '' : ' autofocus'}>
<label for="password">${escapeHtml(t.password)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="256"${form.username ? ' autofocus' : ''}>
<button class="primary" type="submit">${escapeHtml(t.signIn)}</button>
<button class="secondary" type="submit" name="cancel" value="1" formnovalidate>${escapeHtml(t.cancel)}</button>
</form>
<small>${escapeHtml(t.privacy)}</small>
</main>
</body>
</html>`;
}
