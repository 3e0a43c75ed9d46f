import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { ExpertApp } from './ExpertApp';
import '../styles.css';
import '../staff/staff.css';
import './expert.css';

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ExpertApp />
    </StrictMode>,
  );
}
