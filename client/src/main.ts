/** The client bundle: defines the components; on the mirror page, takes the server-rendered content live. */
import './components/cp-home.js';
import './components/cp-pad-page.js';
import { startMirror } from './mirror.js';

const mirror = document.getElementById('mirror');
if (mirror) startMirror(mirror);
