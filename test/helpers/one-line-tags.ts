// A page's markup with each tag on one line. The templates wrap long tags between attributes,
// where HTML reads any run of whitespace as one space; tests match a tag as a browser parses it.
export function getTagsOnOneLine(html: string): string {
  return html.replace(/<[^>]+>/g, (tag) => tag.replace(/\s*\n\s*/g, ' '));
}
