/**
 * The keys of the first JSON object of a text, read from a cut-off prefix.
 *
 * @module
 */

/**
 * Keys of the first JSON object of `head` (the first element when the text
 * starts with an array), in order, as far as `head` goes; `closed` is true when
 * that object ends inside `head`. Works on a cut-off prefix.
 */
export function firstObjectKeys(head: string): { keys: string[]; closed: boolean } {
  const keys: string[] = [];
  let i = 0;
  const n = head.length;
  while (i < n && /[\s\uFEFF]/.test(head[i]!)) i++;
  if (head[i] === "[") {
    i++;
    while (i < n && /\s/.test(head[i]!)) i++;
  }
  if (head[i] !== "{") return { keys, closed: false };
  let depth = 0, inString = false, escaped = false, stringStart = -1;
  for (; i < n; i++) {
    const c = head[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === "\\") escaped = true;
      else if (c === '"') {
        inString = false;
        if (depth === 1) {
          let j = i + 1;
          while (j < n && /\s/.test(head[j]!)) j++;
          if (head[j] === ":") {
            try {
              keys.push(JSON.parse(head.slice(stringStart, i + 1)));
            } catch { /* not a key we can read */ }
          }
        }
      }
      continue;
    }
    if (c === '"') {
      inString = true;
      stringStart = i;
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0) return { keys, closed: true };
    }
  }
  return { keys, closed: false };
}
