import { LitElement, css, html, nothing } from 'lit';
import { TranslationWatchController } from '../controllers/translation-watch.js';

/** Says why editing is paused while a page translator is at work, and offers the read-only copy to translate. */
export class CpTranslationBanner extends LitElement {
  static override properties = { reasons: { attribute: false }, readOnlyUrl: { type: String } };
  declare reasons: string[];
  declare readOnlyUrl: string;

  static override styles = css`
    div {
      padding: 0.6rem 0.8rem;
      margin-bottom: 1rem;
      border-radius: 6px;
      background: #fdf2c4;
      color: #4d3800;
      border: 1px solid #d9b400;
    }
    p {
      margin: 0.2rem 0;
    }
  `;

  constructor() {
    super();
    this.reasons = [];
    this.readOnlyUrl = '';
    new TranslationWatchController(this);
  }

  override render() {
    return html`<div role="alert">
      <p><strong>Editing is paused: your browser seems to be translating this page</strong> (${this.reasons.join('; ')}).
        A translation must not change the pad for everyone, so nothing you see here is sent while it is on.</p>
      <p>
        ${this.readOnlyUrl ? html`To read the pad in your language, <a href=${this.readOnlyUrl}>open the read-only copy</a> and translate that.` : nothing}
        Turn translation off (show the original) to edit again.
      </p>
    </div>`;
  }
}

customElements.define('cp-translation-banner', CpTranslationBanner);
