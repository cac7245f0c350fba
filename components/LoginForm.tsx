/**
 * The sign-in form: it posts exactly `email` and `password`. The page to return to travels in
 * the form's action URL, never in a hidden field.
 */
import { EmailField, FormMessage } from "./SignInLayout.tsx";

export interface LoginFormProps {
  /** `/admin/login`, with `?next=` when a page was asked for. */
  action: string;
  email?: string;
  message?: string;
}

export function LoginForm({ action, email, message }: LoginFormProps) {
  return (
    <form method="post" action={action} class="signin-form">
      <FormMessage message={message} />
      <EmailField email={email} />
      <label for="password">Password</label>
      <input
        id="password"
        name="password"
        type="password"
        autocomplete="current-password"
        required
      />
      <button type="submit">Sign in</button>
    </form>
  );
}
