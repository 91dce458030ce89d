/**
 * The approval page's one inline stylesheet: ./html.ts puts it in the page,
 * ./headers.ts allows it by its hash in the CSP.
 */

export const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,sans-serif;line-height:1.45}
body{margin:0 auto;max-width:46rem;padding:1rem}
li,p,td{overflow-wrap:anywhere}
h1{font-size:1.4rem;margin:.2rem 0 1rem}
h2{font-size:1.1rem;margin-top:1.6rem}
.meta{color:GrayText;font-size:.9rem}
.box{border:1px solid GrayText;border-radius:.4rem;padding:.6rem .9rem;margin:1rem 0}
.ok{border-color:#2e7d32}.bad{border-color:#c62828}
.table{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid GrayText;vertical-align:top}
code{overflow-wrap:anywhere}
label{display:block;margin:.8rem 0 .2rem;font-weight:600}
input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.5rem}
.buttons{display:flex;flex-wrap:wrap;gap:.6rem;margin-top:1rem}
button{font:inherit;padding:.7rem 1rem;border-radius:.4rem;border:1px solid GrayText;cursor:pointer;flex:1 1 12rem}
button.danger{border-color:#c62828;color:#c62828}
.hint{display:block;font-size:.8rem;font-weight:normal}
`.trim();
