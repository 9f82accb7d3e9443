import type { ComponentType } from 'react';
import type { Messages } from './i18n-types';
import type { Role } from './roles';

/** A screen of the console: its path under /admin (react-router syntax), and who may open it. */
export interface Screen {
  path: string;
  component: ComponentType;
  role: Role;
}

/** A part of the console (catalog, orders, …): its screens, its menu entries and its messages. */
export interface Feature {
  /** The menu group's title (a message id) and entries; an entry shows only to its role. */
  nav?: { labelId: string; items: { to: string; labelId: string; role: Role }[] };
  screens: Screen[];
  messages: Messages;
}
