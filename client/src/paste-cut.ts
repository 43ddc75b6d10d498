/**
 * A paste into a field with a `maxlength` keeps only what fits, and the browser says nothing: a log pasted into a
 * note lost its end unseen. This tells what a paste will lose, from its own event, so the field can say so.
 */
export interface PasteCut {
  /** Characters of the paste the field keeps. */
  kept: number;
  pasted: number;
  max: number;
}

/** What of the paste `event` the field it lands in will not keep; null if it keeps it all. */
export function pasteCut(event: ClipboardEvent): PasteCut | null {
  const field = event.target;
  if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement) || field.maxLength <= 0) return null;
  let pasted = event.clipboardData?.getData('text/plain') ?? '';
  // a one-line field drops the line breaks of what is pasted into it
  if (field instanceof HTMLInputElement) pasted = pasted.replace(/[\r\n]/g, '');
  const selected = (field.selectionEnd ?? 0) - (field.selectionStart ?? 0);
  const room = Math.max(0, field.maxLength - (field.value.length - selected));
  return pasted.length > room ? { kept: room, pasted: pasted.length, max: field.maxLength } : null;
}

/** The words for a cut paste, naming the field. */
export function pasteCutMessage(cut: PasteCut, field: string): string {
  const n = (x: number) => x.toLocaleString('en');
  return `Only ${n(cut.kept)} of the ${n(cut.pasted)} characters pasted were kept: ${field} holds at most ${n(cut.max)}.`;
}
