// Lint for the whole workspace: type-aware TypeScript rules, and module boundaries between
// apps and libs enforced from the nx project graph (tags live in each package.json's "nx" field).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const boundaries = (depConstraints) => ({
  enforceBuildableLibDependency: false,
  allow: [],
  depConstraints,
});

// Production code: crds and protocol are leaves (no package of ours); libs depend on libs only;
// apps on libs; nothing depends on the test kit.
const productionConstraints = [
  { sourceTag: 'scope:leaf', onlyDependOnLibsWithTags: [] },
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:test-kit', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:test-kit'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib', 'type:test-kit'] },
];

// Tests may also use the test kit; still no lib test imports an app.
const testConstraints = [
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:test-kit'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:test-kit'] },
  { sourceTag: 'type:test-kit', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:lib', 'type:test-kit'] },
  { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:lib', 'type:test-kit'] },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/node_modules/**',
      '**/.nx/**',
      '**/coverage/**',
      'deploy/**',
      '**/testdata/**',
    ],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ExportAllDeclaration',
          message: 'Curate the public surface in package.json "exports"; no export-* barrels.',
        },
      ],
    },
  },
  // Production code: the test kit is off limits.
  {
    files: ['**/*.ts'],
    ignores: ['**/*.test.ts', '**/testing/**', 'e2e/**', 'bench/**', 'libs/testing/**'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(productionConstraints)],
    },
  },
  // Tests and the test kit itself may use the test kit.
  {
    files: ['**/*.test.ts', '**/testing/**/*.ts', 'e2e/**/*.ts', 'bench/**/*.ts', 'libs/testing/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(testConstraints)],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  prettier,
);
