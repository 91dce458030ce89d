/**
 * The pages' one inline stylesheet: ./html.ts and ./overview-html.ts put
 * it in the page, ./headers.ts allows it by its hash in the CSP.
 *
 * Phone first (email links are opened on phones): text wraps anywhere it
 * must, but a value (`.nw`: timestamps, numbers) never breaks across lines,
 * and wide tables and property blocks scroll inside their own box instead
 * of widening the page.
 */

export const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.45}
body{margin:0 auto;max-width:52rem;padding:1rem}
li,p,td,th,summary{overflow-wrap:anywhere}
.nw{white-space:nowrap;overflow-wrap:normal}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.15rem;margin-top:1.6rem}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
.meta{color:GrayText;font-size:.9rem}
.box{border:1px solid GrayText;border-radius:.4rem;padding:.6rem .9rem;margin:1rem 0}
.ok{border-color:#2e7d32}.bad{border-color:#c62828}
.recommend{border-width:2px}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .4rem;border-bottom:1px solid GrayText;vertical-align:top}
td .num{font-variant-numeric:tabular-nums}
thead th{white-space:nowrap;overflow-wrap:normal}
.sub{display:block;font-weight:normal;font-size:.8rem;color:GrayText}
.unit{font-size:.8rem;color:GrayText}
.verdict{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.8rem;font-weight:600;white-space:nowrap}
.verdict.pass{background:#2e7d32;color:#fff}.verdict.fail{background:#c62828;color:#fff}
.rule-fail th{color:#c62828}
ul.parity{padding-left:1.1rem}
li.warn{color:#c62828}
pre.props{overflow-x:auto;padding:.6rem;border:1px solid GrayText;border-radius:.4rem;font-size:.8rem;user-select:all;-webkit-user-select:all}
details{margin:.8rem 0}
summary{cursor:pointer;font-weight:600}
code{overflow-wrap:anywhere}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem}
.buttons{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1rem}
button{font:inherit;padding:.7rem 1rem;border-radius:.4rem;border:1px solid GrayText;cursor:pointer;flex:1 1 12rem}
button.danger{border-color:#c62828;color:#c62828}
.hint{display:block;font-size:.8rem;font-weight:normal}
.state{font-weight:600}
button.small{flex:none;padding:.3rem .7rem;font-size:.9rem}
.cards{list-style:none;padding:0}
.cards>li{border:1px solid GrayText;border-radius:.4rem;padding:.5rem .7rem;margin:.5rem 0}
.verdict.info{background:GrayText;color:#fff}
.wline{display:flex;flex-wrap:wrap;align-items:baseline;gap:.3rem .6rem}
.wname{overflow-wrap:anywhere;min-width:0}
label.pick{display:inline-flex;align-items:center;gap:.3rem;margin:0;font-weight:normal;white-space:nowrap}
label.pick input{width:1.3rem;height:1.3rem;margin:0}
.why{margin:.2rem 0}
`.trim();
