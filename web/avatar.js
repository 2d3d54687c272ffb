/**
 * createAvatar draws a user's picture from their nick alone: initials on a
 * colour derived from a hash of it, so everyone sees the same avatar for the
 * same nick without any request to a third party. It is decoration next to
 * the nick, which is always written out, so screen readers skip it.
 */
export function createAvatar(nick) {
  const avatar = document.createElement('span');
  avatar.className = 'avatar';
  avatar.setAttribute('aria-hidden', 'true');
  avatar.textContent = initials(nick);
  // The CSSOM is allowed by the page's style-src 'self'; a style attribute would not be.
  avatar.style.backgroundColor = avatarColor(nick);
  return avatar;
}

/**
 * initials: the first letters of the first two words of a nick, where dots,
 * dashes, underscores and a lower-to-upper case change separate words
 * ("mary-jane" and "MaryJane" → "MJ"), else its first letter.
 */
export function initials(nick) {
  const words = String(nick).replace(/([a-z0-9])([A-Z])/g, '$1 $2').split(/[\s._-]+/).filter(Boolean);
  if (words.length === 0) return '?';
  const [first, second] = words;
  return (second === undefined ? first[0] : first[0] + second[0]).toUpperCase();
}

/**
 * avatarColor picks a hue from an FNV-1a hash of the nick. Saturation and
 * lightness are fixed dark enough for white initials to stay legible on
 * every hue, yellow included.
 */
export function avatarColor(nick) {
  let hash = 0x811c9dc5;
  for (const unit of String(nick)) {
    hash ^= unit.codePointAt(0);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `hsl(${hash % 360} 55% 34%)`;
}
