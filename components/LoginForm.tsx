/**
 * The sign-in form: it posts exactly `email` and `password`. The page to return to travels in
 * the form's action URL, never in a hidden field.
 */
import { FormMessage } from "./SignInLayout.tsx";

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
      <label for="email">Email</label>
      <input
        id="email"
        name="email"
        type="email"
        autocomplete="username"
        required
        autofocus
        value={email ?? ""}
      />
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
