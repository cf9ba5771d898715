// The password policy (issue 18 item 5, 身份鉴别): at least 8 characters from three of the four
// classes (lower case, upper case, digits, other characters), not containing the username. Reuse of
// the last five passwords is checked where their hashes are (password-history.ts).
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 200;
/** How many of a user's last passwords (the current one included) a new one may not repeat. */
export const PASSWORD_HISTORY_SIZE = 5;

const CLASSES = [
  { name: '小写字母', test: /\p{Ll}/u },
  { name: '大写字母', test: /\p{Lu}/u },
  { name: '数字', test: /\p{Nd}/u },
  { name: '其他符号', test: /[^\p{Ll}\p{Lu}\p{Nd}]/u },
] as const;

/** What a person is told about the policy before they type. */
export const PASSWORD_POLICY_TEXT = `至少${MIN_PASSWORD_LENGTH}个字符，包含小写字母、大写字母、数字、其他符号中的至少三类，不能包含用户名，不能与最近${PASSWORD_HISTORY_SIZE}次用过的密码相同。`;

/** Everything wrong with a password for this username, in Chinese; empty when it is acceptable. */
export function passwordProblems(password: string, username: string): string[] {
  const problems: string[] = [];
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) problems.push(`密码至少需要${MIN_PASSWORD_LENGTH}个字符（现在${length}个）`);
  if (length > MAX_PASSWORD_LENGTH) problems.push(`密码太长（最多${MAX_PASSWORD_LENGTH}个字符）`);
  const missing = CLASSES.filter((c) => !c.test.test(password)).map((c) => c.name);
  if (missing.length > 1)
    problems.push(
      `密码需包含小写字母、大写字母、数字、其他符号中的至少三类（还缺：${missing.join('、')}，补上其中${missing.length - 1}类即可）`,
    );
  const name = username.trim().toLowerCase();
  if (name && password.toLowerCase().includes(name)) problems.push('密码不能包含用户名');
  return problems;
}
