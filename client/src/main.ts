/** The client bundle: defines the components; on the mirror page, takes the server-rendered content live. */
import './components/cp-home.js';
import { CpPadPage } from './components/cp-pad-page.js';
import { startMirror } from './mirror.js';

const mirror = document.getElementById('mirror');
if (mirror) startMirror(mirror);

/**
 * The next frame painted, or 100 ms (a page opened in a background tab paints no frames until it is shown, and its
 * editor should be ready then).
 */
const painted = () =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() =>
      setTimeout(() => {
        clearTimeout(timer);
        resolve();
      }, 0),
    );
  });

// The editor page shows the server's first view of the pad until the editor renders in its place (in the task that
// defines it). That view is painted first: defined in the task that ends the page's parsing, the editor could take
// its place before a frame showed it, and a 500-entry pad would show nothing for twice as long.
if (document.querySelector('cp-pad-page > .first-view')) await painted();
customElements.define('cp-pad-page', CpPadPage);
