// The console page's shared state: which view shows, which session is selected, who is signed in.
// Plain ES module; the other modules read and update this one object.

export const state = {
  view: 'sessions',
  selected: null,
  roles: [],
  token: sessionStorage.getItem('guardline-token') ?? '',
};
