/**
 * Model display names as Claude Code prints them ("Opus 4.8"), from wire ids ("claude-opus-4-8"). Titles and
 * duplicate searches use the display name because that is what people write in issues.
 */

/** Model families, lower case, as they appear in wire ids and (capitalised) in display names. */
export const FAMILIES = ['opus', 'sonnet', 'haiku', 'fable', 'instant'];

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/**
 * claude-opus-4-8 -> Opus 4.8; claude-sonnet-4-20250514 -> Sonnet 4; claude-3-5-sonnet-20241022 -> Sonnet 3.5;
 * claude-haiku-4-5-20251001 -> Haiku 4.5; claude-fable-5 -> Fable 5; anything else is returned unchanged.
 */
export function modelDisplayName(wireId: string): string {
  const id = wireId.trim().toLowerCase().replace(/\[[^\]]*\]$/, '');
  const pieces = id.replace(/^(?:anthropic\.|us\.|eu\.)*/, '').replace(/-v\d+(?::\d+)?$/, '').split('-');
  if (pieces[0] !== 'claude') return wireId;
  const rest = pieces.slice(1).filter((p) => !/^\d{8}$/.test(p) && p !== 'latest');
  const familyAt = rest.findIndex((p) => FAMILIES.includes(p));
  if (familyAt === -1) return wireId;
  const family = capitalise(rest[familyAt] ?? '');
  const numbers = [...rest.slice(0, familyAt), ...rest.slice(familyAt + 1)].filter((p) => /^\d{1,2}$/.test(p));
  return numbers.length > 0 ? `${family} ${numbers.join('.')}` : family;
}
