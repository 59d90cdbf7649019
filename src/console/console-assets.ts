// Stylesheet of the console, served from memory at /assets/console.css (no CDN, no build step).
export const CONSOLE_CSS = `
:root { color-scheme: light; font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; }
body { margin: 0; }
header { display: flex; gap: 1.5rem; align-items: center; padding: .5rem 1rem; background: #14213d; color: #fff; flex-wrap: wrap; }
header a { color: #fff; }
header .brand { font-weight: 700; text-decoration: none; }
nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
nav a[aria-current="page"] { text-decoration: underline; font-weight: 700; }
.who { margin-left: auto; display: flex; gap: .5rem; align-items: center; }
main { padding: 1rem; max-width: 80rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
th, td { border-bottom: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
.notice { padding: .5rem; border: 1px solid; }
.notice.ok { background: #e7f6e7; border-color: #1e6b1e; }
.notice.error { background: #fde8e8; border-color: #a11; }
.overdue { color: #a11; font-weight: 700; }
.why { color: #5a3e00; font-style: italic; }
form.inline { display: inline-flex; gap: .3rem; align-items: center; }
button { cursor: pointer; }
button[disabled] { cursor: not-allowed; }
button.danger { background: #a11; color: #fff; border: 1px solid #700; padding: .2rem .6rem; }
pre { background: #f6f6f6; padding: .5rem; overflow-x: auto; white-space: pre-wrap; }
.steps li { font-family: monospace; font-size: .85rem; word-break: break-all; }
.pass { color: #1e6b1e; font-weight: 700; }
.fail { color: #a11; font-weight: 700; }
.warn { color: #8a5a00; font-weight: 700; }
.filters { display: flex; gap: .5rem; align-items: end; flex-wrap: wrap; }
.filters label { display: flex; flex-direction: column; font-size: .9rem; }
`;
