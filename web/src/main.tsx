import { render } from 'preact';
import { App } from './app';
import './styles.css';

const root = document.getElementById('app')!;
// The static "Loading…" placeholder goes: the app renders into an empty element.
root.textContent = '';
render(<App />, root);
