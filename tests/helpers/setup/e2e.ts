// jest's testTimeout is a global option; each project sets its own here.
jest.setTimeout(180_000);
