import { marked } from 'marked';

const STYLE = `
body { font-family: "DejaVu Sans", system-ui, sans-serif; max-width: 1100px; margin: 2rem auto; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { border-bottom: 2px solid #1f77b4; padding-bottom: .3rem; }
h2 { margin-top: 2.5rem; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: 1rem 0; font-size: .85rem; display: block; overflow-x: auto; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; text-align: right; }
th { background: #f3f6fa; }
img { max-width: 100%; height: auto; display: block; margin: 1rem 0; border: 1px solid #eee; }
details { margin: 1rem 0; }
summary { cursor: pointer; color: #1f77b4; }
`;

/**
 * A standalone HTML page from trusted Markdown (every value in it comes from the analysis). Images whose
 * src is a key of `inlineImages` get its value (a data URI) after the Markdown is parsed: marked would
 * otherwise scan megabytes of base64.
 */
export function htmlPage(
  title: string,
  markdown: string,
  inlineImages: ReadonlyMap<string, string> = new Map(),
): string {
  const body = marked.parse(markdown, { async: false }).replace(/<img src="([^"]*)"/g, (tag, src: string) => {
    const uri = inlineImages.get(src);
    return uri === undefined ? tag : `<img src="${uri}"`;
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}
