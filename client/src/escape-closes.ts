/** A keydown handler for a form that Escape closes, as every form of the page does (focus goes back by `close`). */
export function escapeCloses(close: () => void): (event: KeyboardEvent) => void {
  return (event) => {
    if (event.key !== 'Escape') return;
    event.preventDefault();
    close();
  };
}
