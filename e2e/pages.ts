import type { Page } from '@playwright/test';
import { expect } from './fixtures.ts';

// Every page an admin reaches, by the name the checks report (the login page is checked apart,
// before logging in).
export const adminPages: Record<string, string> = {
  dashboard: '/',
  accounts: '/accounts/',
  account: '/accounts/blefevre',
  groups: '/groups/',
  group: '/groups/developers',
  import: '/accounts/-/import',
  status: '/status/',
  volumes: '/volumes/',
  terminal: '/terminal/',
  events: '/events/',
  audit: '/audit/',
  'my account': '/me/',
};

// The widths the layout is checked at: a phone, a tablet, a laptop.
export const checkedWidths = [375, 768, 1280] as const;
export const colorSchemes = ['light', 'dark'] as const;

// Opens a page and waits until it has settled: its push channel live (the rows and charts it
// brings are drawn) where it has one.
export async function openSettled(page: Page, path: string): Promise<void> {
  await page.goto(path);
  const state = page.locator('#connection-state');
  if ((await state.count()) > 0) await expect(state).toHaveAttribute('data-state', 'live');
}

// Logs in through the form of an already open page.
export async function logInHere(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Login').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page.getByRole('button', { name: 'Log out' })).toBeVisible();
}
