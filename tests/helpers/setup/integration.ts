// jest's testTimeout is a global option; each project sets its own here.
jest.setTimeout(60_000);
