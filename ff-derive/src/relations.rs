//! Code generation for relationships: many-to-one accessors from `#[ff(belongs_to = P)]`
//! fields, and the one-to-many, one-to-one and many-to-many relations declared on the struct.

use std::collections::HashSet;

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};
use syn::Ident;
use syn::spanned::Spanned;

use crate::entity::{Generator, private};
use crate::internals::ast::{Field, snake_case};
use crate::internals::attr::{Relation, RelationKind};
use crate::internals::types;

impl<'a> Generator<'a> {
    /// The foreign-key fields with the entity each refers to.
    fn foreign_keys(&self) -> impl Iterator<Item = (&'a Field<'a>, &'a syn::Path)> + '_ {
        self.columns.iter().filter_map(|field| {
            let parent = &field.attrs.belongs_to.as_ref()?.value;
            Some((*field, parent))
        })
    }

    /// Compile-time checks: a foreign key holds the referenced key's type, and the other side
    /// of each declared relation has a foreign key back.
    pub(crate) fn relation_checks(&self) -> TokenStream {
        let ident = self.cont.ident;
        let foreign_keys = self.foreign_keys().map(|(field, parent)| {
            let ty = field.ty;
            quote_spanned!(ty.span()=> assert_foreign_key::<#parent, #ty>();)
        });
        let relations = self.cont.attrs.relations.iter().map(|relation| {
            let target = &relation.target;
            match &relation.through {
                Some(through) => quote_spanned! {through.span()=>
                    assert_entity::<#target>();
                    assert_belongs_to::<#through, #ident>();
                    assert_belongs_to::<#through, #target>();
                },
                None => quote_spanned! {target.span()=>
                    assert_entity::<#target>();
                    assert_belongs_to::<#target, #ident>();
                },
            }
        });
        quote!(#(#foreign_keys)* #(#relations)*)
    }

    /// `BelongsTo<P>` (ff's and Diesel's) for the first foreign key to each parent, and
    /// `ToOne` for every foreign key.
    pub(crate) fn relation_impls(&self) -> TokenStream {
        let p = private();
        let ident = self.cont.ident;
        let module = &self.module;
        let mut seen = HashSet::new();
        let impls = self.foreign_keys().filter(|(_, parent)| {
            seen.insert(parent.to_token_stream().to_string())
        }).map(|(field, parent)| {
            let (fk, ty) = (field.ident, field.ty);
            let column = field.column_name();
            let key = quote!(<#parent as ::ff_runtime::Entity>::Key);
            // Diesel's `belonging_to` takes parents by value or by reference.
            let diesel_parents = [quote!(#parent), quote!(&'__p #parent)];
            let lifetime = [quote!(), quote!(<'__p>)];
            quote! {
                #[automatically_derived]
                impl ::ff_runtime::BelongsTo<#parent> for #ident {
                    const FOREIGN_KEY: &'static str = #column;

                    fn parent_key(&self) -> ::core::option::Option<&#key> {
                        #p::ForeignKeyOf::<#key>::referenced_key(&self.#fk)
                    }

                    fn set_parent(&mut self, parent: &#parent) {
                        self.#fk = <#ty as #p::ForeignKeyOf<#key>>::from_key(
                            ::core::clone::Clone::clone(::ff_runtime::Entity::key(parent)),
                        );
                    }

                    fn __children_condition<'__a>(keys: &[#key]) -> ::ff_runtime::Criteria<'__a, #module::table> {
                        let keys: ::std::vec::Vec<#ty> = keys
                            .iter()
                            .map(|key| <#ty as #p::ForeignKeyOf<#key>>::from_key(::core::clone::Clone::clone(key)))
                            .collect();
                        #p::key_list(#module::#fk, keys)
                    }
                }

                #(
                    #[automatically_derived]
                    impl #lifetime diesel::associations::BelongsTo<#diesel_parents> for #ident {
                        type ForeignKey = #key;
                        type ForeignKeyColumn = #module::#fk;

                        fn foreign_key(&self) -> ::core::option::Option<&Self::ForeignKey> {
                            #p::ForeignKeyOf::<#key>::referenced_key(&self.#fk)
                        }

                        fn foreign_key_column() -> Self::ForeignKeyColumn {
                            #module::#fk
                        }
                    }
                )*
            }
        });
        let to_one = self.to_one_impls();
        quote!(#(#impls)* #to_one)
    }

    /// `ToOne` for every foreign-key column: the relation handle `Query::with` joins along.
    fn to_one_impls(&self) -> TokenStream {
        let module = &self.module;
        let impls = self.foreign_keys().map(|(field, parent)| {
            let fk = field.ident;
            quote! {
                #[automatically_derived]
                impl ::ff_runtime::ToOne for #module::#fk {
                    type Parent = #parent;
                }
            }
        });
        quote!(#(#impls)*)
    }

    /// The accessors and eager loaders of every relation, as inherent methods.
    pub(crate) fn relation_methods(&self) -> TokenStream {
        let ident = self.cont.ident;
        let parents = self
            .foreign_keys()
            .map(|(field, parent)| self.parent_methods(field, parent));
        let declared = self
            .cont
            .attrs
            .relations
            .iter()
            .map(|relation| self.declared_methods(relation));
        quote! {
            #[automatically_derived]
            #[allow(dead_code)]
            impl #ident {
                #(#parents)*
                #(#declared)*
            }
        }
    }

    /// `product.category(&mut conn)` and `Product::load_category(&mut conn, &products)`.
    fn parent_methods(&self, field: &Field, parent: &syn::Path) -> TokenStream {
        let p = private();
        let vis = &self.cont.original.vis;
        let fk = field.ident;
        let name = relation_name(fk);
        let loader = format_ident!("load_{}", name);
        let key = quote!(<#parent as ::ff_runtime::Entity>::Key);
        let parent_name = parent
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let one_doc = format!("The `{parent_name}` this row refers to through `{fk}` (one query).");
        let load_doc = format!(
            "The `{parent_name}` of each row through `{fk}`, in the rows' order: one query for the whole list."
        );
        let key_of_row = quote!(#p::ForeignKeyOf::<#key>::referenced_key(&self.#fk));
        let one = if types::option_inner(field.ty).is_some() {
            quote! {
                #[doc = #one_doc]
                #vis fn #name<'q, S: ::ff_runtime::Session>(&'q self, conn: &'q mut S) -> S::Answer<'q, ::core::option::Option<#parent>> {
                    #p::parent::<#parent, S>(conn, #key_of_row)
                }
            }
        } else {
            quote! {
                #[doc = #one_doc]
                #vis fn #name<'q, S: ::ff_runtime::Session>(&'q self, conn: &'q mut S) -> S::Answer<'q, #parent> {
                    #p::required_parent::<#parent, S>(conn, #key_of_row)
                }
            }
        };
        quote! {
            #one

            #[doc = #load_doc]
            #vis fn #loader<'q, S: ::ff_runtime::Session>(
                conn: &'q mut S,
                rows: &'q [Self],
            ) -> S::Answer<'q, ::std::vec::Vec<::core::option::Option<#parent>>> {
                #p::load_parents::<Self, #parent, S>(conn, rows, |row| {
                    #p::ForeignKeyOf::<#key>::referenced_key(&row.#fk)
                })
            }
        }
    }

    /// The methods of a `has_many`, `has_one` or `many_to_many` relation.
    fn declared_methods(&self, relation: &Relation) -> TokenStream {
        let p = private();
        let vis = &self.cont.original.vis;
        let name = &relation.name;
        let loader = format_ident!("load_{}", name);
        let target = &relation.target;
        let target_name = target
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        match relation.kind {
            RelationKind::HasMany => {
                let doc = format!("The `{target_name}` rows referring to this one (one query).");
                let load_doc = format!(
                    "The `{target_name}` rows of each row, in the rows' order: one query for the whole list."
                );
                quote! {
                    #[doc = #doc]
                    #vis fn #name<'q, S: ::ff_runtime::Session>(&'q self, conn: &'q mut S) -> S::Answer<'q, ::std::vec::Vec<#target>> {
                        #p::children::<Self, #target, S>(conn, self)
                    }

                    #[doc = #load_doc]
                    #vis fn #loader<'q, S: ::ff_runtime::Session>(conn: &'q mut S, rows: &'q [Self]) -> S::Answer<'q, ::std::vec::Vec<::std::vec::Vec<#target>>> {
                        #p::load_children::<Self, #target, S>(conn, rows)
                    }
                }
            }
            RelationKind::HasOne => {
                let doc =
                    format!("The `{target_name}` row referring to this one, if any (one query).");
                let load_doc = format!(
                    "The `{target_name}` row of each row, in the rows' order: one query for the whole list."
                );
                quote! {
                    #[doc = #doc]
                    #vis fn #name<'q, S: ::ff_runtime::Session>(&'q self, conn: &'q mut S) -> S::Answer<'q, ::core::option::Option<#target>> {
                        #p::child::<Self, #target, S>(conn, self)
                    }

                    #[doc = #load_doc]
                    #vis fn #loader<'q, S: ::ff_runtime::Session>(conn: &'q mut S, rows: &'q [Self]) -> S::Answer<'q, ::std::vec::Vec<::core::option::Option<#target>>> {
                        #p::load_child::<Self, #target, S>(conn, rows)
                    }
                }
            }
            RelationKind::ManyToMany => {
                let through = relation
                    .through
                    .as_ref()
                    .expect("parsed: many_to_many has `through`");
                let singular = snake_case(&target_name);
                let add = format_ident!("add_{}", singular);
                let remove = format_ident!("remove_{}", singular);
                let doc = format!("The `{target_name}` rows linked to this one (two queries).");
                let load_doc = format!(
                    "The `{target_name}` rows linked to each row, in the rows' order: two queries for the whole list."
                );
                let add_doc = format!(
                    "Links this row to `target` with a new `{}` row (other columns from its `Default`); false if they were linked already.",
                    through.to_token_stream().to_string().replace(' ', "")
                );
                let remove_doc =
                    "Removes the links between this row and `target`; returns how many there were.";
                let default_bound =
                    quote_spanned!(through.span()=> #through: ::core::default::Default);
                quote! {
                    #[doc = #doc]
                    #vis fn #name<'q, S: ::ff_runtime::Session>(&'q self, conn: &'q mut S) -> S::Answer<'q, ::std::vec::Vec<#target>> {
                        #p::linked::<Self, #through, #target, S>(conn, self)
                    }

                    #[doc = #load_doc]
                    #vis fn #loader<'q, S: ::ff_runtime::Session>(conn: &'q mut S, rows: &'q [Self]) -> S::Answer<'q, ::std::vec::Vec<::std::vec::Vec<#target>>> {
                        #p::load_linked::<Self, #through, #target, S>(conn, rows)
                    }

                    #[doc = #add_doc]
                    #vis fn #add<'q, S: ::ff_runtime::Session>(&'q self, conn: &'q mut S, target: &'q #target) -> S::Answer<'q, bool>
                    where
                        #default_bound,
                    {
                        #p::link::<Self, #through, #target, S>(conn, self, target)
                    }

                    #[doc = #remove_doc]
                    #vis fn #remove<'q, S: ::ff_runtime::Session>(&'q self, conn: &'q mut S, target: &'q #target) -> S::Answer<'q, usize> {
                        #p::unlink::<Self, #through, #target, S>(conn, self, target)
                    }
                }
            }
        }
    }
}

/// `category_id` → `category`, `customer_uid` → `customer`; a field without an `_id`, `_uid`
/// or `_key` suffix names its relation itself.
fn relation_name(field: &Ident) -> Ident {
    let name = syn::ext::IdentExt::unraw(field).to_string();
    let stem = ["_id", "_uid", "_key"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|stem| !stem.is_empty());
    match stem {
        Some(stem) => Ident::new(stem, field.span()),
        None => field.clone(),
    }
}
