// A category picker over the tree (leaves and their parents).
import { useCategories } from "../api/hooks";
import { categoryLabel } from "../format";

export function CategorySelect({
  value,
  onChange,
  label,
  allowEmpty,
  disabled,
}: {
  value: string;
  onChange(category: string): void;
  label: string;
  allowEmpty?: string;
  disabled?: boolean;
}) {
  const categories = useCategories();
  const ids = (categories.data ?? []).map((c) => c.id).sort();
  if (value && !ids.includes(value)) ids.unshift(value);
  return (
    <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value)} disabled={disabled}>
      {allowEmpty !== undefined && <option value="">{allowEmpty}</option>}
      {!value && allowEmpty === undefined && <option value="">Uncategorized</option>}
      {ids.map((id) => (
        <option key={id} value={id}>
          {categoryLabel(id)}
        </option>
      ))}
    </select>
  );
}
