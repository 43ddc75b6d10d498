import { css } from 'lit';

/** Shared look of buttons, fields and focus rings inside the components' shadow roots. */
export const controlStyles = css`
  button {
    font: inherit;
    padding: 0.25rem 0.6rem;
    border: 1px solid #7b8794;
    border-radius: 4px;
    background: #f5f7fa;
    color: #1f2933;
    cursor: pointer;
  }
  button.primary {
    background: #1a5fb4;
    border-color: #1a5fb4;
    color: #fff;
  }
  button.danger {
    border-color: #b42318;
    color: #b42318;
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  /* what went wrong, said beside the control (the same red as a dangerous button) */
  .error {
    color: #b42318;
  }
  input,
  select {
    font: inherit;
    padding: 0.3rem 0.4rem;
    border: 1px solid #9aa5b1;
    border-radius: 4px;
    background: #fff;
    color: inherit;
    box-sizing: border-box;
  }
  :focus-visible {
    outline: 2px solid #1a5fb4;
    outline-offset: 1px;
  }
  label {
    display: block;
    font-size: 0.85rem;
    color: #3e4c59;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;

/**
 * A toolbar control with a panel (the import dialogs, history, delegates, the scrub): its opener is one of the
 * toolbar's buttons and stays in the row, open or closed; its panel, and the report of what it last did, each take a
 * line of their own under the toolbar. (Opening a panel used to take its opener out of the row, and a report sat
 * between the buttons, pushing them apart and up and down.)
 */
export const toolbarPanelStyles = css`
  :host {
    display: contents;
  }
  .panel,
  .report:not(:empty) {
    flex-basis: 100%;
    order: 1;
  }
  /* a panel of its own (delegates, history): a box under the toolbar */
  section.panel {
    padding: 0.6rem 0.8rem;
    margin-bottom: 1rem;
    border: 1px solid #9aa5b1;
    border-radius: 6px;
    background: #fff;
  }
`;
